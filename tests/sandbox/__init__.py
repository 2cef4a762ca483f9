"""The SALESmanago sandbox behaves like SALESmanago where it matters."""
