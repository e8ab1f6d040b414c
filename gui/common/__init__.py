"""Small Qt helpers every feature shares: one way to make an action, the throttle, the style
facts."""
