"""Scale-out: gateways publish messages to a Redis Stream; workers decide them.

- ``codec``: IncomingMessage <-> one stream entry, lossless JSON.
- ``streams``: the stream itself (publisher, consumer group, dead letters), on redis-py asyncio.
- ``worker``: the worker loop: read in a consumer group, ``service.handle``, acknowledge after
  the decision committed, take over what dead workers left pending.
- ``gateway``: the BotService a gateway hands its platform adapters: ``handle`` publishes,
  everything else goes to the shared database.

See docs/scaling.md for the architecture and what is exactly-once.
"""
