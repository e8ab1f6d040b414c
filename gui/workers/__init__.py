"""The worker family: the QThread bases every background job uses, and the shared model loader."""
