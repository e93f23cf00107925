"""Local test images: the Flink images with the official layout, and the real node's own."""
