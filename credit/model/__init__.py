"""What the county's scoring is about: the workbook contract, the unit register, the indicator
framework, a parsed workbook, and accounts/roles. Imports only `credit.common` and `credit.errors`."""
