"""Generated protobuf and gRPC stubs (from proto/ by scripts/gen_protos.py; do not edit)."""
