"""web.areas."""
