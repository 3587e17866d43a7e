"""Bildungsmonitoring: regions, supply indicators, snapshots, demand signals, needs coverage."""
