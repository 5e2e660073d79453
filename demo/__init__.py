"""The Hưng Yên demo, as data: `data/` (TOML) read by `province` and `story`, signed and appended by `loader`.

Production code never imports this package: an instance is a demo because its
configuration says so (``"demo"`` in ``config.json``, written by `loader.load_demo_instance`).
"""
