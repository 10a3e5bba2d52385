"""The scheduler: one periodic tick that turns due reminders into outbox rows."""
