"""The shape layer, beneath every stage: model views, naming, the one walker, member paths, codecs."""
