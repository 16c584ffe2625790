require ["subaddress", "fileinto", "variables"];
if address :detail :matches "to" "*" { fileinto "d-${1}"; }
