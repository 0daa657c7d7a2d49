package io.skiff.broker.handler;

import io.skiff.broker.network.ApiDispatcher;
import io.skiff.broker.network.ApiHandler;
import io.skiff.broker.network.RequestContext;
import io.skiff.wire.message.ApiVersionsRequest;
import io.skiff.wire.message.ApiVersionsResponse;
import io.skiff.wire.protocol.ApiKeys;
import io.skiff.wire.protocol.Errors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * ApiVersions (key 18), versions 0-4: the API keys this broker serves, computed from the
 * handler list at the versions the handlers implement, plus supported and finalized features
 * (v3+). A v3+ request whose client software name or version is malformed gets
 * INVALID_REQUEST, as Apache Kafka answers. The answer to an ApiVersions version this broker
 * does not know is produced by the connection, not here.
 */
public final class ApiVersionsHandler extends ApiHandler<ApiVersionsRequest> {
    private static final Pattern SOFTWARE = Pattern.compile("[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?");

    private final ApiDispatcher dispatcher;
    private final LongSupplier finalizedFeaturesEpoch;
    private volatile List<ApiVersionsResponse.ApiVersion> cachedKeys;

    public ApiVersionsHandler(ApiDispatcher dispatcher, LongSupplier finalizedFeaturesEpoch) {
        super(ApiKeys.API_VERSIONS, 0, 4);
        this.dispatcher = dispatcher;
        this.finalizedFeaturesEpoch = finalizedFeaturesEpoch;
    }

    @Override
    public void handle(RequestContext context, ApiVersionsRequest request) {
        short version = context.apiVersion;
        if (version >= 3 && (!valid(request.clientSoftwareName()) || !valid(request.clientSoftwareVersion()))) {
            context.respond(new ApiVersionsResponse().setErrorCode(Errors.INVALID_REQUEST.code));
            return;
        }
        ApiVersionsResponse response =
                new ApiVersionsResponse().setErrorCode(Errors.NONE.code).setApiKeys(apiKeys());
        if (version >= 3) {
            List<ApiVersionsResponse.SupportedFeatureKey> supported = new ArrayList<>();
            for (Features.Supported f : Features.SUPPORTED) {
                // Versions before 4 cannot express a minimum of 0, so such features are left out.
                if (version >= 4 || f.minVersion != 0) {
                    supported.add(new ApiVersionsResponse.SupportedFeatureKey()
                            .setName(f.name)
                            .setMinVersion(f.minVersion)
                            .setMaxVersion(f.maxVersion));
                }
            }
            List<ApiVersionsResponse.FinalizedFeatureKey> finalized = new ArrayList<>();
            for (Features.Finalized f : Features.FINALIZED) {
                finalized.add(new ApiVersionsResponse.FinalizedFeatureKey()
                        .setName(f.name)
                        .setMinVersionLevel(f.level)
                        .setMaxVersionLevel(f.level));
            }
            response.setSupportedFeatures(supported)
                    .setFinalizedFeaturesEpoch(finalizedFeaturesEpoch.getAsLong())
                    .setFinalizedFeatures(finalized);
        }
        context.respond(response);
    }

    private static boolean valid(String s) {
        return s != null && SOFTWARE.matcher(s).matches();
    }

    /** The advertised API list, built once from the handler list (which is fixed after start-up). */
    List<ApiVersionsResponse.ApiVersion> apiKeys() {
        List<ApiVersionsResponse.ApiVersion> keys = cachedKeys;
        if (keys == null) {
            keys = new ArrayList<>();
            List<ApiHandler<?>> handlers = new ArrayList<>(dispatcher.handlers());
            handlers.sort(Comparator.comparingInt(h -> h.api().id));
            for (ApiHandler<?> h : handlers) {
                keys.add(new ApiVersionsResponse.ApiVersion()
                        .setApiKey(h.api().id)
                        .setMinVersion(h.advertisedMinVersion())
                        .setMaxVersion(dispatcher.offeredMaxVersion(h)));
            }
            cachedKeys = keys;
        }
        return keys;
    }
}
