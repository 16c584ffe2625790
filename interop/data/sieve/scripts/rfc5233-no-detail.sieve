require ["envelope", "subaddress", "fileinto"];
if envelope :detail :matches "to" "*" { fileinto "has-detail"; } else { fileinto "no-detail"; }
