"""Every dataset reader, in the order formats are tried when recognising a file (most specific first)."""

from . import datafiniti, huliu, json_formats, mdsd, tsv

ALL = [*json_formats.READERS, tsv.READER, datafiniti.READER, mdsd.READER, huliu.READER]
