require ["encoded-character","fileinto"];
fileinto "${hex:xy}";
