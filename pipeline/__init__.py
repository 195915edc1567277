"""Turn 项目支出绩效自评表 (project expenditure performance self-evaluation forms) into structured data."""

__version__ = "0.1.0"
