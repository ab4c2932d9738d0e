"""Bundled demo cost data; a package so that wheels ship its CSV and notice."""
