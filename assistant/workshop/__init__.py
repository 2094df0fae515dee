"""Workshop mode: one Hearth on a LAN, one profile (and vault) per participant."""
