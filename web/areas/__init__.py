"""The web's pages, one blueprint per area, imported explicitly by the app factory (`web.app`)."""
