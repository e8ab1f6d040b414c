"""The Filters tab: a photo, a kernel, conv and pool maps with their shapes and a worked example."""
