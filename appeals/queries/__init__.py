"""The read side of the appeals app: who may see what. `rounds` scopes rounds to a viewer,
`totals` adds up members' own appeals, `clocks` tells where a round's clock stands. The view-models
built on them (round page, board, my cases) are in appeals/pages."""
