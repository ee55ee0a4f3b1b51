"""Shipped outcome instruments: FHIR Questionnaire JSON files with a sibling scoring file.

A package (not just a folder) so that setuptools ships the JSON files as package data and
``importlib.resources`` can find them. The format is described in README.md next to this file.
"""
