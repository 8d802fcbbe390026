"""The newsroom: server-rendered pages for writers, reviewers and admins, and the fetch endpoints behind them."""
