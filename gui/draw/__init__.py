"""The Draw tab: canvas, preprocessing strip, probability charts, feature maps, why-this-digit."""
