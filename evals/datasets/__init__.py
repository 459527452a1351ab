"""Dataset adapters: public benchmarks converted to incident bundles (see README.md in this folder)."""
