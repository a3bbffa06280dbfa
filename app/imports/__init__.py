"""Bulk import of seekers (stations) and vacancies (employers) from .xlsx or .csv files.

`files` runs an import and writes its report workbook and the templates; `columns` knows the Chinese
headers; `readers` and `xlsx` stream the rows; `seekers`, `families` and `vacancies` apply the rules of
the services row by row; `report` is what the clerk gets back; `cli` is `jobmatch import`.
"""
