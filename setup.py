# Only for building the egg Scrapyd deploys (scrapyd-deploy / oitcheck batch --scrapyd);
# all metadata, packages and package data come from pyproject.toml.
from setuptools import setup

setup()
