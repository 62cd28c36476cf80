"""Rule packs, one folder per platform: pack.yaml and tests/*.yaml scenario cases."""
