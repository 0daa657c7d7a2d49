package io.skiff.broker.handler;

import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.broker.partition.PartitionManager;
import io.skiff.broker.security.authz.AclOperation;
import io.skiff.broker.security.authz.Authorizer;
import io.skiff.storage.LogDir;
import io.skiff.storage.LogManager;
import io.skiff.storage.PartitionLog;
import io.skiff.wire.message.DescribeLogDirsRequest;
import io.skiff.wire.message.DescribeLogDirsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.io.File;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DescribeLogDirs (key 35), versions 1-5: each log directory with the size of every requested
 * partition in it (all partitions for a null list), and from v4 the directory's total and
 * usable bytes. A single node has no replication lag and no future replicas. A log directory
 * that is offline after an I/O error answers KAFKA_STORAGE_ERROR with no topics and unknown (-1)
 * sizes, as Apache Kafka does. Stateless between requests; thread-safe.
 */
public final class DescribeLogDirsHandler extends ApiHandler<DescribeLogDirsRequest> {
    private final PartitionManager partitions;
    private final List<String> logDirs;
    private final Authorizer authorizer;

    public DescribeLogDirsHandler(PartitionManager partitions, List<String> logDirs, Authorizer authorizer) {
        super(ApiKeys.DESCRIBE_LOG_DIRS, 1, 5);
        this.partitions = partitions;
        this.logDirs = logDirs;
        this.authorizer = authorizer;
    }

    @Override
    public void handle(RequestContext context, DescribeLogDirsRequest request) {
        if (!authorizer.authorizeCluster(context, AclOperation.DESCRIBE)) {
            // As Kafka: no directories, and the error where the version has room for it.
            context.respond(new DescribeLogDirsResponse()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code)
                    .setResults(new ArrayList<>()));
            return;
        }
        Set<String> wanted = null;
        if (request.topics() != null) {
            wanted = new HashSet<>();
            for (DescribeLogDirsRequest.DescribableLogDirTopic t : request.topics()) {
                for (int p : t.partitions()) {
                    wanted.add(t.topic() + "-" + p);
                }
            }
        }
        LogManager logManager = partitions.logManager();
        Map<String, Map<String, List<DescribeLogDirsResponse.DescribeLogDirsPartition>>> byDir = new LinkedHashMap<>();
        for (String dir : logDirs) {
            byDir.put(new File(dir).getAbsolutePath(), new LinkedHashMap<>());
        }
        for (PartitionLog log : logManager.allLogs()) {
            if (log.isOffline()) {
                continue;
            }
            String topic = log.topicPartition().topic();
            int partition = log.topicPartition().partition();
            if (wanted != null && !wanted.contains(topic + "-" + partition)) {
                continue;
            }
            String dir = log.dir().getAbsoluteFile().getParentFile().getAbsolutePath();
            byDir.computeIfAbsent(dir, d -> new LinkedHashMap<>())
                    .computeIfAbsent(topic, t -> new ArrayList<>())
                    .add(new DescribeLogDirsResponse.DescribeLogDirsPartition()
                            .setPartitionIndex(partition)
                            .setPartitionSize(log.sizeInBytes())
                            .setOffsetLag(0)
                            .setIsFutureKey(false));
        }
        List<DescribeLogDirsResponse.DescribeLogDirsResult> results = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<DescribeLogDirsResponse.DescribeLogDirsPartition>>> e :
                byDir.entrySet()) {
            List<DescribeLogDirsResponse.DescribeLogDirsTopic> topics = new ArrayList<>();
            for (Map.Entry<String, List<DescribeLogDirsResponse.DescribeLogDirsPartition>> t :
                    e.getValue().entrySet()) {
                topics.add(new DescribeLogDirsResponse.DescribeLogDirsTopic()
                        .setName(t.getKey())
                        .setPartitions(t.getValue()));
            }
            File f = new File(e.getKey());
            LogDir logDir = logManager.logDir(f);
            if (logDir != null && !logDir.isOnline()) {
                results.add(new DescribeLogDirsResponse.DescribeLogDirsResult()
                        .setErrorCode(Errors.KAFKA_STORAGE_ERROR.code)
                        .setLogDir(e.getKey())
                        .setTopics(new ArrayList<>())
                        .setTotalBytes(-1L)
                        .setUsableBytes(-1L));
                continue;
            }
            results.add(new DescribeLogDirsResponse.DescribeLogDirsResult()
                    .setErrorCode(Errors.NONE.code)
                    .setLogDir(e.getKey())
                    .setTopics(topics)
                    .setTotalBytes(f.getTotalSpace())
                    .setUsableBytes(f.getUsableSpace()));
        }
        context.respond(
                new DescribeLogDirsResponse().setErrorCode(Errors.NONE.code).setResults(results));
    }
}
