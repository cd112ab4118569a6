from rest_framework.routers import DefaultRouter

from appeals.api.views import AppealViewSet, BoardViewSet, MyCasesViewSet

router = DefaultRouter(trailing_slash=True)
router.register("appeals", AppealViewSet, basename="appeal")
router.register("board", BoardViewSet, basename="board")
router.register("my-cases", MyCasesViewSet, basename="my-cases")
urlpatterns = router.urls
