"""The Telegram layer: thin handlers that parse, call a service and render."""
