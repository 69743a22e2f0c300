"""Checklist data: one YAML file per agency type and ITA year, the shared topic vocabulary and
their JSON Schema. The loader is :mod:`oitcheck.checklist`."""
