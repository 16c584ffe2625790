require ["date","fileinto"];
if date :is "received" "year" [ "1983", "1984" ] { fileinto "ancient"; } else { fileinto "modern"; }
