"""The hostile probe kept in CI (issue 10): every kind of attack or malformed input it found, as tests."""
