"""librdkafka's transactional producer and read_committed consumer against one broker.

usage: transactions.py BOOTSTRAP TOPIC
Runs three transactions of ten records each (commit, abort, commit), then reads the topic from the
start with isolation.level=read_committed and prints one line per record value, then "END".
"""
import sys

from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap, topic = sys.argv[1], sys.argv[2]
producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": "rdkafka-" + topic,
                     "linger.ms": 5})
producer.init_transactions(30)
for name, commit in (("first", True), ("aborted", False), ("third", True)):
    producer.begin_transaction()
    for i in range(10):
        producer.produce(topic, value=("%s-%d" % (name, i)).encode(), partition=0)
    producer.flush(30)
    if commit:
        producer.commit_transaction(30)
    else:
        producer.abort_transaction(30)

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "rdkafka-reader-" + topic,
                     "isolation.level": "read_committed", "enable.auto.commit": False,
                     "auto.offset.reset": "earliest", "enable.partition.eof": True})
consumer.assign([TopicPartition(topic, 0, 0)])
while True:
    m = consumer.poll(30)
    if m is None:
        print("TIMEOUT")
        break
    if m.error():
        if m.error().code() == -191:  # _PARTITION_EOF
            break
        print("ERROR %s" % m.error())
        break
    print(m.value().decode())
consumer.close()
print("END")
