require ["variables","fileinto"];
if header :matches "X-Priority" "?" { fileinto "p${0}"; }
