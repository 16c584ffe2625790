require ["index","fileinto"];
if header :index 5 :matches "received" "*" { fileinto "x"; } else { fileinto "none"; }
