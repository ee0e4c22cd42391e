"""The pack's schema: one pydantic model per pack file, built from shared field types."""
