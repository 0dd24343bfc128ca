"""Cross-cutting pieces of madoguchi: settings, logging, the CLI and the embedded stack."""
