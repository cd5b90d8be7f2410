"""eOffice export (issue 17): ready physical files as NIC migration folders (export.names for the naming rule,
export.select for what is ready, export.reencode + export.volumes for the upload PDFs, export.run for the command)."""
