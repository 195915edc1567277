"""Every input kind to the intermediate form: sniffing, PDF text layers, spreadsheets, Word, HTML, OFD, text exports."""
