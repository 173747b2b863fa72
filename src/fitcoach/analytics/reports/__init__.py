"""The finance report's HTTP surface: the report with its recent exports, export requests and
downloads. Above finance/ and exports/, which it composes (exports builds on finance)."""
