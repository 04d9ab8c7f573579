from moderation_bot.cli import main

raise SystemExit(main())
