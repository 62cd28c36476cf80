"""Consumers on a durable event log: histories published to a NATS JetStream stream, folded by
consumer processes that share the stream's shards, stored in the event store, and what the
rules decide published for others to read. See docs/stream.md.

    zhili publish EVENTS --nats nats://127.0.0.1:4222 --stream S --pack P
    zhili consume --nats nats://127.0.0.1:4222 --stream S --db URL [--pack P]
"""
