"""The deployment queue: incidents waiting for resources, the resources to send, and who to chase."""

from supervisor_app.ui.queue.view import DeploymentQueueView

__all__ = ["DeploymentQueueView"]
