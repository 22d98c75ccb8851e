from bughunt.cli import main

main()
