require ["envelope", "subaddress", "fileinto"];
if envelope :detail "to" "" { fileinto "empty-detail"; }
