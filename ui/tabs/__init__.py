"""One class per tab (handlers are methods that call services)."""
