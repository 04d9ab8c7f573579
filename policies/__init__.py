"""Policy packs, their schema and loader, the pure decision engine, and safety-advice catalogs."""
