"""dyads: raw news in, traceable who-did-what-to-whom political events out."""

__version__ = "0.1.0"
