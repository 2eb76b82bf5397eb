"""Estates as code: reference estates (npm 2015) and the helpers tests use to build scenarios."""
