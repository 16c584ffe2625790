require ["variables","fileinto"];
if header :matches "List-ID" "*<*.lists.example.org>" {
    fileinto "Lists/${2}";
}
