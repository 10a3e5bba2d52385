"""The outbox sender: drains queued deliveries to Telegram within its limits."""
